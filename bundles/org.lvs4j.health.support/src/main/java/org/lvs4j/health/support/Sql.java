package org.lvs4j.health.support;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Properties;

import org.lvs4j.api.health.CheckResult;

/**
 * The database checks' common part, as ldirectord's (DBI): connect with login, passwd and database, run request (a
 * query, "SELECT 1" when none is given) and be up when it returns at least one row. The driver is called directly,
 * not through DriverManager, which does not see bundles' drivers.
 */
public final class Sql {

    private Sql() {
    }

    public static CheckResult check(Driver driver, String url, Properties props, String request, Instant deadline)
            throws Exception {
        String query = request == null || request.isBlank() ? "SELECT 1" : request;
        try (Connection c = driver.connect(url, props)) {
            if (c == null) {
                return CheckResult.down("the driver does not take " + url);
            }
            try (Statement s = c.createStatement()) {
                s.setQueryTimeout(Math.max(1, Probe.millisLeft(deadline) / 1000));
                s.setMaxRows(1);
                try (ResultSet r = s.executeQuery(query)) {
                    return r.next() ? CheckResult.up("query returned a row")
                            : CheckResult.down("query returned no rows: " + query);
                }
            }
        } catch (SQLException e) {
            String state = e.getSQLState();
            return CheckResult.down("SQL" + (state != null ? " " + state : "") + ": " + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String m) {
        if (m == null) {
            return "error";
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
