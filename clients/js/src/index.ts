export { AvatarClient, createAvatarClient } from './client.js';
export type { AvatarClientOptions, AvatarData, AvatarSession } from './client.js';
export { ApiError } from './errors.js';
export { Session } from './session.js';
export type { SessionEvents, SignOutReason, TokenData, User } from './session.js';
export { MemoryTokenStore, WebStorageTokenStore, localStorageTokenStore } from './tokens.js';
export type { StoredTokens, TokenStore } from './tokens.js';
export { RealtimeClient } from './realtime.js';
export type {
  AvatarChangedEvent, AvatarRemovedEvent, ErrorMessage, PongMessage, ReadyMessage, RealtimeEvents, RealtimeOptions,
  RealtimeState, ServerMessage, SessionEndedEvent, SockJsConstructor, SockJsLike, StateChange, TransportKind,
  UserDeletedEvent, WebSocketConstructor, WebSocketLike,
} from './realtime.js';
export type { components, paths } from './openapi.js';
