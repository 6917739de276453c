package io.github.helloretail4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The runnable stand-in: its arguments, exit codes and request log. */
class MainTest {

    /** Runs Main in a JVM of its own, as {@code java -jar} does, and returns its exit code and stderr. */
    static String[] run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "bad arguments end the run");
        return new String[] {String.valueOf(p.exitValue()), err};
    }

    @Test
    void badPort_exits2_withAMessageAndTheUsage() throws Exception {
        String[] r = run("--port", "99x");
        assertEquals("2", r[0]);
        assertTrue(r[1].startsWith("helloretail4j stand-in: --port: a number from 0 to 65535, not '99x'\nusage: "),
                r[1]);
    }

    @Test
    void unknownArgument_exits2() throws Exception {
        String[] r = run("--prot", "9900");
        assertEquals("2", r[0]);
        assertTrue(r[1].startsWith("helloretail4j stand-in: unknown argument '--prot'"), r[1]);
    }

    @Test
    void parse_valuesAndDefaults() throws Exception {
        assertEquals(new Main.Options(9900, Set.of(StandInCollector.WEBSITE_UUID), false), Main.parse(new String[0]));
        Main.Options o = Main.parse(new String[] {"--port", "0", "--website", "a", "--website", "b"});
        assertEquals(0, o.port());
        assertEquals(List.of("a", "b"), List.copyOf(o.websites()));
        assertTrue(Main.parse(new String[] {"--help"}).help());
        Main.UsageException e = org.junit.jupiter.api.Assertions.assertThrows(Main.UsageException.class,
                () -> Main.parse(new String[] {"--port"}));
        assertEquals("--port needs a value", e.getMessage());
        assertEquals("--port: a number from 0 to 65535, not 70000",
                org.junit.jupiter.api.Assertions.assertThrows(Main.UsageException.class,
                        () -> Main.parse(new String[] {"--port", "70000"})).getMessage());
    }

    @Test
    void eachRequest_isLoggedOnOneLine() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (StandInCollector c = Main.start(Main.parse(new String[] {"--port", "0"}), out)) {
            Post.json(c.endpoint(), "collect/pageview", "{\"websiteUuid\":\"nope\",\"location\":\"https://s/\"}");
            String log = Await.until("the request logged", () -> bytes.toString(StandardCharsets.UTF_8),
                    s -> s.contains("->"));
            String[] lines = log.split("\n");
            assertEquals("helloretail4j stand-in collector: endpoint " + c.endpoint() + ", websites "
                    + StandInCollector.WEBSITE_UUID + " (Ctrl+C stops it)", lines[0]);
            assertTrue(lines[1].matches("\\S+Z POST /serve/collect/pageview \\{\"websiteUuid\":\"nope\",\"location\":"
                    + "\"https://s/\"} -> 400 \\{\"success\":false,\"message\":\"Website not found\"}"), lines[1]);
        }
    }
}
