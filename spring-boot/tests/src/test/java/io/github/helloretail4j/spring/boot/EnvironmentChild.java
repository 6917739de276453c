package io.github.helloretail4j.spring.boot;

import io.github.helloretail4j.HelloRetailTracker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A shop started in a JVM of its own with only environment variables for configuration (no
 * property at all): prints its port and what its tracker was built with, serves until a line on
 * standard input, then closes and prints the threads of the library still alive.
 */
public final class EnvironmentChild {

    public static void main(String[] args) throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(PagesApplication.class)
                .run("--server.port=0", "--spring.main.banner-mode=off");
        HelloRetailTracker tracker = context.getBean(HelloRetailTracker.class);
        System.out.println("STARTED port=" + context.getEnvironment().getProperty("local.server.port")
                + " websiteUuid=" + tracker.websiteUuid() + " endpoint=" + tracker.endpoint());
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        context.close();
        System.out.println("CLOSED threads=" + Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive).map(Thread::getName).filter(n -> n.startsWith("helloretail4j")).toList());
        System.out.flush();
    }
}
