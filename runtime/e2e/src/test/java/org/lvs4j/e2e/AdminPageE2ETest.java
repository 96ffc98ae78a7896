package org.lvs4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium (Debian's chromium and chromium-driver, driven by Selenium; nothing downloaded) logs in to
 * the admin page, sees a virtual service with its real servers and live rates, drains one and sees its weight turn 0
 * while {@code ./lvs4j ctl ipvsadm -L -n} agrees. The dashboard's screenshot goes to target/dashboard.png.
 */
class AdminPageE2ETest {

    static final String VIP = "127.7.142.1";
    static final int PORT = 18142;
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    @TempDir
    Path tmp;
    private final Backends backends = new Backends();
    private Appliance a;
    private WebDriver browser;
    private Runnable trafficStop = () -> { };

    @AfterEach
    void stop() throws Exception {
        trafficStop.run();
        if (browser != null) {
            browser.quit();
        }
        if (a != null) {
            a.close();
        }
        backends.close();
    }

    static String weight(String listing, String server) {
        Matcher m = Pattern.compile("-> " + Pattern.quote(server) + "\\s+FullNat\\s+(\\d+)\\s").matcher(listing);
        return m.find() ? m.group(1) : listing;
    }

    /** A headless Chromium saving downloads in {@code downloads}; returns a wait of 20 s (scaled). */
    private WebDriverWait openBrowser(Path downloads) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,800", "--user-data-dir=" + tmp.resolve("chromium"));
        options.setExperimentalOption("prefs", java.util.Map.of("download.default_directory", downloads.toString(),
                "download.prompt_for_download", false));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        // the page redraws the table at every tick of the live stream: elements found a moment ago may be gone
        WebDriverWait wait = new WebDriverWait(browser, Appliance.scaled(Duration.ofSeconds(20)));
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    private void logIn(WebDriverWait wait, int admin, String user, String password) {
        browser.get("http://127.0.0.1:" + admin + "/");
        wait.until(b -> b.findElement(By.id("login")).isDisplayed());
        browser.findElement(By.id("user")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("login-button")).click();
    }

    static void needBrowser() {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER)
                || "true".equals(System.getenv("CI")), "Debian's chromium and chromium-driver are not installed");
    }

    @Test
    void operatorTextIsShownAsTextNeverRunAsMarkup() throws Exception {
        needBrowser();
        Path state = tmp.resolve("x");
        Appliance.passwd(state, "ada", "admin", "admin-password");
        String markup = "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\">";
        Path cf = tmp.resolve("ldirectord.cf");
        // markup in a comment and in a check's request: an admin sees the file as it is
        Files.writeString(cf, """
                # %s
                checktimeout=1
                checkinterval=1
                quiescent=yes
                virtual=%s:%d
                        real=127.0.0.74:%d fullnat
                        service=http
                        checktype=negotiate
                        request="/%s"
                        receive="ok"
                        scheduler=rr
                """.formatted(markup, VIP, PORT + 2, PORT, markup.replace("\"", "'")));
        int admin = Appliance.freePort();
        a = new Appliance(state).start(List.of("--admin-port", String.valueOf(admin), "--config", cf.toString()));
        WebDriverWait wait = openBrowser(Files.createDirectories(tmp.resolve("downloads")));
        logIn(wait, admin, "ada", "admin-password");
        // nobody listens on 127.0.0.74: the check fails and the server stays, quiesced, with its health down
        String cell = "tr[data-server='127.0.0.74:" + PORT + "'] td.health-down";
        wait.until(b -> !b.findElements(By.cssSelector(cell)).isEmpty());
        browser.findElement(By.cssSelector("nav button[data-view='configuration']")).click();
        wait.until(b -> b.findElement(By.id("config-text")).getDomProperty("value").contains(markup));
        // a checked text whose error quotes the markup back
        var text = browser.findElement(By.id("config-text"));
        text.clear();
        text.sendKeys("virtual=" + markup + "\n");
        browser.findElement(By.id("config-check")).click();
        wait.until(b -> b.findElement(By.id("config-result")).getText().contains("<img src=x"));
        assertTrue(browser.findElements(By.cssSelector("img, script:not([src])")).isEmpty(),
                "no element came of the file's text anywhere in the page");
        // the Content Security Policy would also stop inline handlers; this checks that too
        assertEquals(null, ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("return window.pwned"),
                "no script of the file's text ran");
    }

    @Test
    void anOperatorLogsInSeesTheServiceAndDrainsARealServer() throws Exception {
        needBrowser();
        Path state = tmp.resolve("d");
        Appliance.passwd(state, "olga", "operator", "operator-password");
        backends.start("web-1", "127.0.0.71", PORT);
        backends.start("web-2", "127.0.0.72", PORT);
        backends.start("web-3", "127.0.0.73", PORT);
        // a second service from ldirectord.cf, its real server checked (TCP connect): the page shows its health
        Path cf = tmp.resolve("ldirectord.cf");
        Files.writeString(cf, """
                checktimeout=1
                checkinterval=1
                virtual=%s:%d
                        real=127.0.0.73:%d fullnat
                        checktype=connect
                        scheduler=rr
                """.formatted(VIP, PORT + 1, PORT));
        int admin = Appliance.freePort();
        a = new Appliance(state).start(List.of("--admin-port", String.valueOf(admin), "--config", cf.toString()));
        a.ctl("ipvsadm", "-A", "-t", VIP + ":" + PORT, "-s", "wrr").ok();
        a.ctl("ipvsadm", "-a", "-t", VIP + ":" + PORT, "-r", "127.0.0.71:" + PORT, "-b", "-w", "2").ok();
        a.ctl("ipvsadm", "-a", "-t", VIP + ":" + PORT, "-r", "127.0.0.72:" + PORT, "-b", "-w", "1").ok();
        // a client's request every 20 ms while the page is looked at
        var traffic = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        traffic.scheduleAtFixedRate(() -> {
            try {
                Backends.get(VIP, PORT);
            } catch (java.io.IOException e) {
                // a draining server's refusals are not this test's subject
            }
        }, 0, 20, TimeUnit.MILLISECONDS);
        trafficStop = traffic::shutdownNow;

        Path downloads = Files.createDirectories(tmp.resolve("downloads"));
        WebDriverWait wait = openBrowser(downloads);
        logIn(wait, admin, "olga", "operator-password");
        String row = "tr[data-server='127.0.0.71:" + PORT + "']";
        wait.until(b -> !b.findElements(By.cssSelector(row)).isEmpty());
        wait.until(b -> b.findElement(By.cssSelector(row + " td.weight")).getText().equals("2"));
        wait.until(b -> b.findElement(By.cssSelector("[data-service='tcp/" + VIP + ":" + PORT + "'] h2")).getText()
                .contains("wrr"));
        // live rates arrive through the stream: wait until the page shows connections per second
        wait.until(b -> !b.findElement(By.cssSelector(row + " td.conns-rate")).getText().equals("0"));
        String checked = "[data-service='tcp/" + VIP + ":" + (PORT + 1) + "'] tr[data-server='127.0.0.73:" + PORT
                + "'] td.health-up";
        wait.until(b -> b.findElement(By.cssSelector(checked)).getText().matches("up \\(\\d+\\.\\d ms\\)"));
        // and the last-minute chart has a few seconds of them
        wait.until(b -> b.findElement(By.cssSelector(row + " svg.spark.conns polyline")).getAttribute("points")
                .split(" ").length >= 12);
        // and so has the chart of its bytes per second, which is not flat
        wait.until(b -> java.util.Arrays.stream(b.findElement(By.cssSelector(row + " svg.spark.bytes polyline"))
                .getAttribute("points").split(" ")).map(pt -> pt.split(",")[1]).distinct().count() > 1);
        Files.write(Path.of("target", "dashboard.png"),
                ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));

        wait.until(b -> {
            b.findElement(By.cssSelector(row + " button.drain")).click();
            return true;
        });
        wait.until(b -> b.findElement(By.cssSelector(row + " td.weight")).getText().equals("0"));
        assertEquals("0", weight(a.ctl("ipvsadm", "-L", "-n").ok().out(), "127.0.0.71:" + PORT),
                "ipvsadm agrees");
        assertEquals("1", weight(a.ctl("ipvsadm", "-L", "-n").ok().out(), "127.0.0.72:" + PORT));

        // the Connections view: the director filters the table, the page shows the matching entries only
        browser.findElement(By.cssSelector("nav button[data-view='connections']")).click();
        Pattern entries = Pattern.compile("page 1 of \\d+ \\((\\d+) entries\\)");
        long[] all = {0};
        wait.until(b -> {
            Matcher m = entries.matcher(b.findElement(By.id("page")).getText());
            return m.matches() && (all[0] = Long.parseLong(m.group(1))) > 0;
        });
        String drained = "127.0.0.71:" + PORT; // its connections from before the drain linger in TIME_WAIT
        browser.findElement(By.id("filter")).sendKeys(drained);
        wait.until(b -> {
            List<org.openqa.selenium.WebElement> rows = b.findElements(By.cssSelector("#conn-table tbody tr"));
            Matcher m = entries.matcher(b.findElement(By.id("page")).getText());
            return !rows.isEmpty() && rows.stream().allMatch(r -> r.findElements(By.tagName("td")).get(3).getText()
                    .equals(drained)) && m.matches() && Long.parseLong(m.group(1)) < all[0];
        });

        // the Configuration view shows the table as ipvsadm -S -n prints it; an operator does not see the file
        browser.findElement(By.cssSelector("nav button[data-view='configuration']")).click();
        wait.until(b -> b.findElement(By.id("rules")).getText().contains("-a -t " + VIP + ":" + PORT
                + " -r 127.0.0.71:" + PORT + " -b -w 0"));
        wait.until(b -> b.findElement(By.id("config-file")).getText().contains("this needs admin"));
        // "Save the table" gives the browser the same rules as a file
        browser.findElement(By.id("rules-save")).click();
        Path saved = downloads.resolve("ipvsadm.rules");
        Appliance.poll(() -> Files.exists(saved) && Files.size(saved) > 0, "the saved table in " + downloads);
        assertEquals(a.ctl("ipvsadm", "-S", "-n").ok().out(), Files.readString(saved));
    }
}
