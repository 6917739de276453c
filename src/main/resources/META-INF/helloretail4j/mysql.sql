-- helloretail4j outbox table, version 1, for MySQL 8.0 or newer and MariaDB 10.6 or newer.
--
-- Conversions wait here until Hello Retail has them (HelloRetailTracker.Builder.outboxDataSource).
-- The tracker runs this very script when the table is missing, one statement at a time. Shops
-- that manage their schema with Flyway or Liquibase may run it as a migration instead: to use
-- another table name, replace helloretail_outbox everywhere (the index and constraint names too)
-- and give the tracker that name.
--
-- The same table as postgresql.sql, column for column. Times are UTC in DATETIME(6), which keeps
-- no time zone: the tracker writes UTC and compares leases with UTC_TIMESTAMP(6), the database's
-- clock, whatever the session's time zone. The body is utf8mb4, so that every character of an
-- order is kept as it is.
--
-- One row per order number and website. A row is 'pending' until a node delivers it, then
-- 'delivered' or 'not_tracked' (its body cleared, the row kept so that the order number is not
-- sent again, and deleted 30 days after it was tracked), or 'dead' (refused by Hello Retail, or
-- still undelivered after the maximum age; kept with its body, the reason and the collector's
-- last answer until an operator deletes it).
CREATE TABLE IF NOT EXISTS helloretail_outbox (
    id           bigint       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    website_uuid varchar(36)  NOT NULL,
    order_number varchar(256) NOT NULL,
    created_at   datetime(6)  NOT NULL,                  -- when trackConversion took it (the tracker's clock, UTC)
    state        varchar(16)  NOT NULL DEFAULT 'pending',
    body         longtext,                               -- the JSON to POST; NULL once delivered
    claimed_by   varchar(200),                           -- the node attempting it now
    lease_until  datetime(6),                            -- the claim ends then (the database's clock, UTC)
    attempts     integer      NOT NULL DEFAULT 0,        -- claims so far, over all nodes
    last_status  integer,                                -- HTTP status of the last failed attempt; NULL: no answer
    last_message text,                                   -- the collector's message, or the I/O failure
    done_at      datetime(6),                            -- when it was delivered or became a dead letter (UTC)
    dead_reason  varchar(32),                            -- 'rejected' or 'expired'
    CONSTRAINT helloretail_outbox_order UNIQUE (website_uuid, order_number),
    CONSTRAINT helloretail_outbox_state CHECK (state IN ('pending', 'delivered', 'not_tracked', 'dead')),
    CONSTRAINT helloretail_outbox_body CHECK (state <> 'pending' OR body IS NOT NULL),
    -- What the nodes claim from, oldest first (no partial indexes here: the state leads).
    INDEX helloretail_outbox_pending (website_uuid, state, id),
    -- What is pruned once the order-number window has passed.
    INDEX helloretail_outbox_done (website_uuid, state, created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin COMMENT = 'helloretail4j outbox, version 1';
