package io.github.helloretail4j.internal;

/**
 * The statements of the database outbox, built once per table and database. The table's name
 * was checked by {@link OutboxSchema#tableName}: lower-case letters, digits and {@code _} only,
 * so it is written into the SQL as it is.
 *
 * @param insert a conversion; a repeated order number inserts nothing (PostgreSQL), or fails
 *        alone with a duplicate-key error (MySQL and MariaDB)
 * @param claim the next rows no node holds, up to a limit: with this node's name and one lease,
 *        in one statement (PostgreSQL); or picked and locked, skipping locked rows (MySQL and
 *        MariaDB)
 * @param lease MySQL and MariaDB: this node's name and a lease on the rows {@code claim} locked,
 *        up to {@code WHERE id IN}; null for PostgreSQL
 * @param delivered the collector's answer for good
 * @param failed a failed attempt's answer; the claim ends unless the request may have arrived
 * @param dead a conversion that will never be sent
 * @param release a row taken and not attempted
 * @param pending the rows that wait and that no node holds
 * @param prune delivered rows past the order-number window: deleted (PostgreSQL); or selected
 *        and locked (MySQL and MariaDB)
 * @param pruneDelete MySQL and MariaDB: the rows {@code prune} locked, up to {@code WHERE id IN};
 *        null for PostgreSQL
 */
record OutboxStatements(String insert, String claim, String lease, String delivered, String failed, String dead,
                        String release, String pending, String prune, String pruneDelete) {

    /** PostgreSQL 12 or newer. */
    static OutboxStatements postgresql(String t) {
        String insert = "INSERT INTO " + t + " (website_uuid, order_number, created_at, body) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (website_uuid, order_number) DO NOTHING";
        // The lease condition is repeated outside the sub-select on purpose: the row lock taken
        // there makes PostgreSQL re-read a row another node claimed meanwhile, and the outer
        // condition then leaves it alone. The sub-select is in ARRAY(...) so that it runs once:
        // as "id IN (...)" PostgreSQL may run it again for each row, and rows this statement
        // updated already no longer count as locked, so it would claim every row, not the limit.
        String claimable = "state = 'pending' AND (lease_until IS NULL OR lease_until < now())";
        String claim = "UPDATE " + t + " SET claimed_by = ?, lease_until = now() + ? * interval '1 millisecond',"
                + " attempts = attempts + 1"
                + " WHERE id = ANY(ARRAY(SELECT id FROM " + t + " WHERE website_uuid = ? AND " + claimable + " AND id > ?"
                + " ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)) AND " + claimable
                + " RETURNING id, created_at, order_number, body, last_status, last_message";
        String pending = "SELECT count(*) FROM " + t + " WHERE website_uuid = ? AND " + claimable;
        String prune = "DELETE FROM " + t + " WHERE id IN (SELECT id FROM " + t + " WHERE website_uuid = ?"
                + " AND state IN ('delivered', 'not_tracked') AND created_at < ? ORDER BY created_at LIMIT ?"
                + " FOR UPDATE SKIP LOCKED)";
        return new OutboxStatements(insert, claim, null, delivered(t), failed(t), dead(t), release(t), pending, prune,
                null);
    }

    /**
     * MySQL 8.0 or newer and MariaDB 10.6 or newer. They have no {@code UPDATE ... RETURNING}
     * and refuse a sub-select on the table being updated, so a claim is two statements in one
     * transaction: the rows are picked and locked ({@code FOR UPDATE SKIP LOCKED}), then leased
     * by id. Times are UTC in {@code DATETIME(6)} columns, compared with {@code UTC_TIMESTAMP(6)}:
     * the database's clock, whatever the session's time zone.
     */
    static OutboxStatements mysql(String t) {
        String insert = "INSERT INTO " + t + " (website_uuid, order_number, created_at, body) VALUES (?, ?, ?, ?)";
        String claimable = "state = 'pending' AND (lease_until IS NULL OR lease_until < UTC_TIMESTAMP(6))";
        String claim = "SELECT id, created_at, order_number, body, last_status, last_message FROM " + t
                + " WHERE website_uuid = ? AND " + claimable + " AND id > ? ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED";
        String lease = "UPDATE " + t + " SET claimed_by = ?, lease_until = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND,"
                + " attempts = attempts + 1 WHERE id IN ";
        String pending = "SELECT count(*) FROM " + t + " WHERE website_uuid = ? AND " + claimable;
        String prune = "SELECT id FROM " + t + " WHERE website_uuid = ? AND state IN ('delivered', 'not_tracked')"
                + " AND created_at < ? ORDER BY created_at LIMIT ? FOR UPDATE SKIP LOCKED";
        String pruneDelete = "DELETE FROM " + t + " WHERE id IN ";
        return new OutboxStatements(insert, claim, lease, delivered(t), failed(t), dead(t), release(t), pending, prune,
                pruneDelete);
    }

    // The outcomes: by id, the same SQL for every database.

    private static String delivered(String t) {
        return "UPDATE " + t + " SET state = ?, done_at = ?, body = NULL, claimed_by = NULL,"
                + " lease_until = NULL WHERE id = ? AND state = 'pending'";
    }

    /**
     * Releases the claim only when it is still this node's (after a lease ran out another node
     * may hold the row now), and only when the request cannot have arrived: a row whose outcome
     * is unknown waits its lease out before any node sends it again. MySQL assigns left to
     * right, each assignment seeing the ones before it: lease_until is assigned first, so both
     * conditions read the claim as it was.
     */
    private static String failed(String t) {
        return "UPDATE " + t + " SET last_status = ?, last_message = ?,"
                + " lease_until = CASE WHEN claimed_by = ? AND NOT ? THEN NULL ELSE lease_until END,"
                + " claimed_by = CASE WHEN claimed_by = ? AND NOT ? THEN NULL ELSE claimed_by END"
                + " WHERE id = ? AND state = 'pending'";
    }

    /**
     * With no answer of its own to record (expired before this node tried it), a dead letter
     * keeps the last failure any node recorded.
     */
    private static String dead(String t) {
        return "UPDATE " + t + " SET state = 'dead', dead_reason = ?, done_at = ?,"
                + " last_status = CASE WHEN ? THEN ? ELSE last_status END,"
                + " last_message = CASE WHEN ? THEN ? ELSE last_message END,"
                + " claimed_by = NULL, lease_until = NULL WHERE id = ? AND state = 'pending'";
    }

    /** A row taken and not attempted: as if it had not been taken. */
    private static String release(String t) {
        return "UPDATE " + t + " SET claimed_by = NULL, lease_until = NULL, attempts = attempts - 1"
                + " WHERE id = ? AND claimed_by = ? AND state = 'pending'";
    }

    /** {@code (?, ?, ?)}: {@code n} placeholders for an {@code IN} list. */
    static String placeholders(int n) {
        return "(" + String.join(", ", java.util.Collections.nCopies(n, "?")) + ")";
    }
}
