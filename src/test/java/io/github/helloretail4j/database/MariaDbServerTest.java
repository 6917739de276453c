package io.github.helloretail4j.database;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The throwaway MariaDB server, and the behaviours of MariaDB that the database outbox relies on
 * there, each shown on the real server so that a newer MariaDB that changes one fails here first.
 */
class MariaDbServerTest {

    @Test
    void startsStopsAndRestartsOnItsPort_closeRemovesItsDirectory() throws Exception {
        MariaDbServer db = MariaDbServer.start();
        try {
            assertEquals(1, scalar(db, "SELECT 1"));
            db.stop();
            assertThrows(SQLException.class, db::connect);
            db.restart();
            assertEquals(1, scalar(db, "SELECT 1"));
        } finally {
            db.close();
        }
        assertFalse(Files.exists(db.directory()));
    }

    @Test
    void aRepeatedKeyFailsOnlyItsStatement_theTransactionGoesOnAndCommitsTheRest() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        String t = db.freshTable("dup");
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + t + " (id bigint AUTO_INCREMENT PRIMARY KEY, o varchar(10) NOT NULL UNIQUE)");
            c.setAutoCommit(false);
            s.executeUpdate("INSERT INTO " + t + " (o) VALUES ('a')");
            SQLIntegrityConstraintViolationException e = assertThrows(SQLIntegrityConstraintViolationException.class,
                    () -> s.executeUpdate("INSERT INTO " + t + " (o) VALUES ('a')"));
            assertEquals(1062, e.getErrorCode());
            s.executeUpdate("INSERT INTO " + t + " (o) VALUES ('b')");
            c.commit();
            assertEquals(List.of("a", "b"), strings(c, "SELECT o FROM " + t + " ORDER BY o"));
        }
    }

    @Test
    void skipLocked_passesOverRowsAnotherTransactionHolds() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        String t = db.freshTable("skip");
        try (Connection a = db.connect(); Connection b = db.connect(); Statement s = a.createStatement()) {
            s.execute("CREATE TABLE " + t + " (id bigint PRIMARY KEY)");
            s.executeUpdate("INSERT INTO " + t + " VALUES (1), (2), (3)");
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            assertEquals(List.of("1"), strings(a, "SELECT id FROM " + t + " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"));
            assertEquals(List.of("2", "3"), strings(b, "SELECT id FROM " + t + " ORDER BY id FOR UPDATE SKIP LOCKED"));
            a.rollback();
            b.rollback();
        }
    }

    private static long scalar(MariaDbServer db, String sql) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    private static List<String> strings(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
