-- The schema SQLite's scripts V1 to V4 reached, in one step (PostgreSQL starts at that shape):
-- the same tables and indexes, with BIGINT for times and one more table, the avatars' bytes.
-- Times are epoch milliseconds (registered_at, session times) or epoch seconds (token times).
-- identifier_key is compared byte by byte (COLLATE "C"), as SQLite does: the admin API pages by it.

CREATE TABLE users (
  id                  TEXT   PRIMARY KEY,            -- random UUID, never reused
  identifier          TEXT   NOT NULL,               -- the spelling given at registration
  identifier_key      TEXT   COLLATE "C" NOT NULL,   -- normalised, case-folded: the uniqueness key
  password_hash       TEXT   NOT NULL,               -- Argon2id, PHC string
  avatar_file         TEXT,                          -- the avatar's name (its bytes: avatar_images), or NULL
  registered_at       BIGINT NOT NULL,
  identifier_skeleton TEXT                           -- confusable skeleton (Identifiers.skeleton)
);

CREATE UNIQUE INDEX users_identifier_key ON users (identifier_key);
CREATE INDEX users_identifier_skeleton ON users (identifier_skeleton);
CREATE INDEX users_avatar_file ON users (avatar_file) WHERE avatar_file IS NOT NULL;

-- One row per refresh token, until it expires; family_id is the session's id.
CREATE TABLE refresh_tokens (
  token_hash TEXT   PRIMARY KEY,                     -- SHA-256 of the token, hex; the token is never stored
  family_id  TEXT   NOT NULL,
  user_id    TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  issued_at  BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at    BIGINT,                                 -- set when rotated
  revoked_at BIGINT                                  -- set by logout, revocation or reuse detection
);

CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);

CREATE TABLE settings (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- One per login or registration (see SQLite's V3).
CREATE TABLE sessions (
  id           TEXT   PRIMARY KEY,                   -- random UUID: the sid claim and the token family
  user_id      TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at   BIGINT NOT NULL,
  last_used_at BIGINT NOT NULL,
  user_agent   TEXT
);

CREATE INDEX sessions_user ON sessions (user_id, created_at);

-- The avatars themselves: no node needs a shared folder. One row per size of an avatar: size 0 is
-- the avatar as stored (AVATAR_SIZE), the others its smaller variants. Written in the transaction
-- that points users.avatar_file at the name, deleted in the one that points it away.
CREATE TABLE avatar_images (
  name    TEXT    NOT NULL,                          -- users.avatar_file
  size    INTEGER NOT NULL,
  content BYTEA   NOT NULL,
  PRIMARY KEY (name, size)
);
