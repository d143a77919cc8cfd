-- Sessions: one per login or registration, holding its refresh-token family (sessions.id is the
-- family_id of its refresh tokens). Ending a session deletes its row and its refresh tokens, so
-- the row's existence is what every authenticated request checks (with the account's).
-- Times are epoch milliseconds. The absolute end is created_at + SESSION_MAX_AGE, computed when
-- checked, so that changing the setting applies to every session.

CREATE TABLE sessions (
  id           TEXT    PRIMARY KEY,            -- random UUID: the sid claim and the token family
  user_id      TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at   INTEGER NOT NULL,               -- the login or registration
  last_used_at INTEGER NOT NULL,               -- the last refresh (not every request)
  user_agent   TEXT                            -- as sent at login, cut to 200 characters
) STRICT, WITHOUT ROWID;

CREATE INDEX sessions_user ON sessions (user_id, created_at);

-- Every login that still has a usable refresh token becomes a session (user agent unknown);
-- logins whose tokens were all used, revoked or expired are over and are dropped with their rows.
INSERT INTO sessions (id, user_id, created_at, last_used_at, user_agent)
  SELECT family_id, MIN(user_id), MIN(issued_at) * 1000, MAX(issued_at) * 1000, NULL
  FROM refresh_tokens
  GROUP BY family_id
  HAVING SUM(CASE WHEN revoked_at IS NULL AND used_at IS NULL THEN 1 ELSE 0 END) > 0
     AND SUM(CASE WHEN revoked_at IS NOT NULL THEN 1 ELSE 0 END) = 0;

DELETE FROM refresh_tokens WHERE family_id NOT IN (SELECT id FROM sessions);
