-- Accounts, refresh tokens and the store's own settings.
-- Times are epoch milliseconds (registered_at) or epoch seconds (token times).

CREATE TABLE users (
  id             TEXT    PRIMARY KEY,          -- random UUID, never reused
  identifier     TEXT    NOT NULL,             -- the spelling given at registration
  identifier_key TEXT    NOT NULL,             -- normalised, case-folded: the uniqueness key
  password_hash  TEXT    NOT NULL,             -- Argon2id, PHC string
  avatar_file    TEXT,                         -- name under the avatar folder, or NULL
  registered_at  INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX users_identifier_key ON users (identifier_key);

-- One row per refresh token ever issued, until it expires. A family is one login: every token
-- rotated from it shares its family_id, so reuse of an old token can revoke all of them.
CREATE TABLE refresh_tokens (
  token_hash TEXT    PRIMARY KEY,              -- SHA-256 of the token, hex; the token is never stored
  family_id  TEXT    NOT NULL,
  user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  issued_at  INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER,                          -- set when rotated
  revoked_at INTEGER                           -- set by logout, revocation or reuse detection
) STRICT, WITHOUT ROWID;

CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);

CREATE TABLE settings (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
