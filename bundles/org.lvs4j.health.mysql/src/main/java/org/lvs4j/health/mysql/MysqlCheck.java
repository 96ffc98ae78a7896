/*
 * The mysql check, as ldirectord's check_mysql (DBI with DBD::mysql): connect to database (if given) as login with
 * passwd, run request (default "SELECT 1") and be up when a row comes back. Wrong credentials, a missing database or
 * a failing query are down with the server's message. The driver is MariaDB's JDBC driver (it speaks to MySQL and
 * MariaDB alike), with connect and socket timeouts from the check's deadline.
 */
package org.lvs4j.health.mysql;

import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletionStage;

import org.lvs4j.api.health.CheckResult;
import org.lvs4j.api.health.CheckTarget;
import org.lvs4j.api.health.HealthCheck;
import org.lvs4j.health.support.Probe;
import org.lvs4j.health.support.Sql;
import org.osgi.service.component.annotations.Component;

/** The {@code mysql} check. */
@Component(property = HealthCheck.PROTOCOL + "=mysql")
public class MysqlCheck implements HealthCheck {

    private final org.mariadb.jdbc.Driver driver = new org.mariadb.jdbc.Driver();

    @Override
    public CompletionStage<CheckResult> check(CheckTarget target, Map<String, String> params, Instant deadline) {
        return Probe.run("mysql", () -> {
            String host = target.server().getAddress().getHostAddress();
            String url = "jdbc:mariadb://" + (host.contains(":") ? "[" + host + "]" : host) + ":"
                    + target.server().getPort() + "/" + params.getOrDefault("database", "");
            int ms = Probe.millisLeft(deadline);
            Properties p = new Properties();
            p.setProperty("user", params.getOrDefault("login", "root"));
            p.setProperty("password", params.getOrDefault("passwd", ""));
            p.setProperty("connectTimeout", Integer.toString(ms));
            p.setProperty("socketTimeout", Integer.toString(ms));
            return Sql.check(driver, url, p, params.get("request"), deadline);
        });
    }
}
