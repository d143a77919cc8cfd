-- Serving an avatar checks that an account points at it: by name, so it needs an index.
CREATE INDEX users_avatar_file ON users (avatar_file) WHERE avatar_file IS NOT NULL;
