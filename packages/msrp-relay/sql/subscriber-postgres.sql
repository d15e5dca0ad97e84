-- The SIP subscriber table msrp-relay reads its users from (--users-db), in the layout of
-- Kamailio's auth_db module (utils/kamctl/postgres/auth_db-create.sql, table version 7),
-- so that a relay can share the database a Kamailio already uses. Load it with
--   psql "$URL" -f packages/msrp-relay/sql/subscriber-postgres.sql
-- A Kamailio database has this table already: skip this file and point --users-db at it.
-- (Kamailio's file also records the table version in its `version` table, which belongs to
-- Kamailio's standard schema; the relay does not read it.)
--
-- ha1  = MD5(username:domain:password), ha1b = MD5(username@domain:domain:password): the
-- relay's --realm must be the domain. `password` stays empty unless the operator stores
-- plain passwords (--users-db-plain-passwords, Kamailio's calculate_ha1).
--
-- ha1_sha256 is not in Kamailio's layout: it is OpenSIPS's column for SHA-256 digest
-- (RFC 7616). Keep it to let clients authenticate with SHA-256 without plain passwords
-- (the relay reads it with --users-db-column ha1-sha256=ha1_sha256); a Kamailio table
-- can gain it with the ALTER TABLE below.

CREATE TABLE IF NOT EXISTS subscriber (
    id SERIAL PRIMARY KEY NOT NULL,
    username VARCHAR(64) DEFAULT '' NOT NULL,
    domain VARCHAR(64) DEFAULT '' NOT NULL,
    password VARCHAR(64) DEFAULT '' NOT NULL,
    ha1 VARCHAR(128) DEFAULT '' NOT NULL,
    ha1b VARCHAR(128) DEFAULT '' NOT NULL,
    CONSTRAINT subscriber_account_idx UNIQUE (username, domain)
);

CREATE INDEX IF NOT EXISTS subscriber_username_idx ON subscriber (username);

ALTER TABLE subscriber ADD COLUMN IF NOT EXISTS ha1_sha256 VARCHAR(64) DEFAULT '' NOT NULL;
