-- Look-alike identifiers (issue 14): the confusable skeleton of each identifier's canonical form
-- (see Identifiers.skeleton). Not unique: accounts registered before this column may already
-- collide, and they keep working; a registration is refused when its skeleton is taken (checked in
-- the register transaction). NULL until the store fills it in for the rows older than the column.

ALTER TABLE users ADD COLUMN identifier_skeleton TEXT;

CREATE INDEX users_identifier_skeleton ON users (identifier_skeleton);
