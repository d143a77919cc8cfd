export { AvatarClient, createAvatarClient } from './client.js';
export { ApiError } from './errors.js';
export { Session } from './session.js';
export { MemoryTokenStore, WebStorageTokenStore, localStorageTokenStore } from './tokens.js';
export { RealtimeClient } from './realtime.js';
