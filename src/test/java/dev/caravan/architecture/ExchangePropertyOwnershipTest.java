package dev.caravan.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every exchange property the gateway's classes use belongs to one class: only that class names it
 * (a private constant or a literal), and every other class goes through that owner's typed accessor
 * ({@code CompletionCall.of(exchange)}, {@code ClientDisconnect.of(exchange)}, ...). Camel's own
 * properties ({@code Exchange.EXCEPTION_CAUGHT}, ...) are Camel's. Read from the sources, since a
 * property name is a string the compiler cannot follow.
 */
class ExchangePropertyOwnershipTest {

    private static final Path MAIN = Path.of("src/main/java");
    private static final Pattern ACCESS = Pattern.compile(
            "\\b(\\w+)\\.(getProperty|setProperty|removeProperty)\\(\\s*([\\w.]+|\"[^\"]*\")");
    private static final Pattern CONSTANT = Pattern.compile(
            "(public |protected |private |)static final String (\\w+)\\s*=\\s*\"([^\"]*)\"");
    /** Receivers whose getProperty is not an exchange's. */
    private static final List<String> NOT_EXCHANGES = List.of("System", "environment", "props", "properties");

    private static final Path ROUTES = Path.of("routes");
    private static final Pattern ROUTE_READ = Pattern.compile("\\$\\{exchangeProperty\\.(\\w+)");

    @Test
    void eachPropertyIsNamedByOneClassOnly() throws IOException {
        Map<String, TreeSet<String>> classesByProperty = namingClasses();
        Map<String, TreeSet<String>> shared = new TreeMap<>(classesByProperty);
        shared.values().removeIf(owners -> owners.size() == 1);
        assertThat(shared).as("properties named by more than one class").isEmpty();
        assertThat(classesByProperty).as("the scan finds the request's own property")
                .containsKey("caravanCall");
    }

    /**
     * A route may read a property only where the one class that owns it publishes it for the route
     * (the YAML choice on a workflow request, the reply's recipient count): never one the Java side
     * keeps to itself, and never one nobody sets.
     */
    @Test
    void routesReadOnlyPropertiesTheirOwnerPublishes() throws IOException {
        Map<String, TreeSet<String>> classesByProperty = namingClasses();
        Map<String, String> unowned = new TreeMap<>();
        int reads = 0;
        try (Stream<Path> files = Files.walk(ROUTES)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                Matcher m = ROUTE_READ.matcher(Files.readString(file));
                while (m.find()) {
                    reads++;
                    if (!classesByProperty.containsKey(m.group(1))) unowned.put(m.group(1), file.toString());
                }
            }
        }
        assertThat(reads).as("the scan finds the routes' reads").isPositive();
        assertThat(unowned).as("properties a route reads that no class sets").isEmpty();
    }

    private static Map<String, TreeSet<String>> namingClasses() throws IOException {
        Map<String, TreeSet<String>> classesByProperty = new TreeMap<>();
        List<String> foreignConstants = new ArrayList<>();
        List<String> visibleConstants = new ArrayList<>();
        for (Path file : javaFiles()) {
            String src = Files.readString(file);
            if (!src.contains("org.apache.camel.Exchange")) continue;
            String owner = MAIN.relativize(file).toString();
            Map<String, String> constants = new HashMap<>();
            Map<String, String> visibility = new HashMap<>();
            Matcher c = CONSTANT.matcher(src);
            while (c.find()) {
                constants.put(c.group(2), c.group(3));
                visibility.put(c.group(2), c.group(1).trim());
            }
            Matcher m = ACCESS.matcher(src);
            while (m.find()) {
                if (NOT_EXCHANGES.contains(m.group(1))) continue;
                String arg = m.group(3);
                String name;
                if (arg.startsWith("\"")) {
                    name = arg.substring(1, arg.length() - 1);
                } else if (arg.startsWith("Exchange.")) {
                    continue; // Camel's own
                } else if (arg.contains(".")) {
                    foreignConstants.add(owner + ": " + m.group());
                    continue;
                } else if (constants.containsKey(arg)) {
                    name = constants.get(arg);
                    if (!"private".equals(visibility.get(arg))) visibleConstants.add(owner + ": " + arg);
                } else {
                    continue; // a variable (a header or a key of another map)
                }
                classesByProperty.computeIfAbsent(name, k -> new TreeSet<>()).add(owner);
            }
        }
        assertThat(foreignConstants).as("properties named through another class's constant").isEmpty();
        assertThat(visibleConstants).as("property names other classes could use").isEmpty();
        return classesByProperty;
    }

    private static List<Path> javaFiles() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(p -> p.toString().endsWith(".java")).toList();
        }
    }
}
