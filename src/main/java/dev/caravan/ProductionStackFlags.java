package dev.caravan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.CommandLinePropertySource;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;

/**
 * The router flags of production-stack's workflow PR (#625) and of its quick start, accepted on
 * Caravan's command line and turned into the {@code caravan.*} properties that do the same, so a start
 * script written for the PR's router works unchanged:
 *
 * <pre>
 * --routing-logic workflow_aware   caravan.workflow-support.routing.strategy (and plain-policy for
 *                                  roundrobin, session, kvaware, prefixaware)
 * --workflow-ttl 3600              caravan.workflow-support.ttl (seconds)
 * --max-workflows 1000             caravan.workflow-support.max-workflows
 * --batching-preference 0.8        caravan.workflow-support.batching-preference
 * --max-message-queue-size 1000    caravan.messaging.max-queue-messages (per agent queue, beside max-queue-bytes)
 * --max-message-size 1048576       caravan.messaging.max-payload-bytes
 * --service-discovery static       (the only kind: engines are listed in configuration)
 * --static-backends URL,URL        caravan.engines[i].url (ids engine-0, engine-1, ...)
 * --static-models M[,M]            caravan.engines[i].models (one for all, or one per backend)
 * --port 8001 / --host H           server.port / server.address
 * </pre>
 *
 * Only the command line is read (an environment variable named like a flag is not a flag), an
 * explicit {@code --caravan...=} argument beats a flag, and a value Caravan cannot honour stops the
 * start with a message naming the property to use instead. Spring reads {@code --name value} as a
 * flag without value, so {@link #normalise} joins such pairs before Spring sees the arguments.
 */
public class ProductionStackFlags implements EnvironmentPostProcessor {

    static final String SOURCE_NAME = "productionStackFlags";

    /** Flags that take a value (joined with it by {@link #normalise}). */
    static final Set<String> FLAGS = Set.of("routing-logic", "workflow-ttl", "max-workflows", "batching-preference",
            "max-message-queue-size", "max-message-size", "service-discovery", "static-backends", "static-models",
            "port", "host");

    /** {@code --flag value} becomes {@code --flag=value} for the flags above; everything else is left as it is. */
    public static String[] normalise(String[] args) {
        List<String> out = new ArrayList<>(args.length);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--") && !a.contains("=") && FLAGS.contains(a.substring(2))
                    && i + 1 < args.length && !args[i + 1].startsWith("--")) {
                out.add(a + "=" + args[++i]);
            } else {
                out.add(a);
            }
        }
        return out.toArray(String[]::new);
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        PropertySource<?> commandLine = environment.getPropertySources()
                .get(CommandLinePropertySource.COMMAND_LINE_PROPERTY_SOURCE_NAME);
        if (commandLine == null) return;
        Map<String, Object> mapped = map(name -> {
            Object v = commandLine.getProperty(name);
            return v == null ? null : v.toString();
        });
        if (!mapped.isEmpty()) {
            // After the command line, so an explicit --caravan.x=... wins; before every file.
            environment.getPropertySources().addAfter(CommandLinePropertySource.COMMAND_LINE_PROPERTY_SOURCE_NAME,
                    new MapPropertySource(SOURCE_NAME, mapped));
        }
    }

    /**
     * The {@code caravan.*} properties for the flags {@code flags} returns values for.
     *
     * @throws IllegalStateException for a flag Caravan cannot honour, naming the property to use instead
     */
    static Map<String, Object> map(java.util.function.Function<String, String> flags) {
        Map<String, Object> p = new LinkedHashMap<>();
        String logic = value(flags, "routing-logic");
        if (logic != null) routingLogic(logic, p);
        String ttl = value(flags, "workflow-ttl");
        if (ttl != null) p.put("caravan.workflow-support.ttl", positive(ttl, "workflow-ttl", "caravan.workflow-support.ttl") + "s");
        String max = value(flags, "max-workflows");
        if (max != null) p.put("caravan.workflow-support.max-workflows", positive(max, "max-workflows", "caravan.workflow-support.max-workflows"));
        String batching = value(flags, "batching-preference");
        if (batching != null) p.put("caravan.workflow-support.batching-preference", unit(batching));
        String queue = value(flags, "max-message-queue-size");
        if (queue != null) p.put("caravan.messaging.max-queue-messages", positive(queue, "max-message-queue-size", "caravan.messaging.max-queue-messages"));
        String size = value(flags, "max-message-size");
        if (size != null) p.put("caravan.messaging.max-payload-bytes", positive(size, "max-message-size", "caravan.messaging.max-payload-bytes"));
        String discovery = value(flags, "service-discovery");
        if (discovery != null && !"static".equals(discovery)) {
            throw refuse("--service-discovery " + discovery + " is not supported: Caravan's engines are listed in "
                    + "configuration (caravan.engines[i].url, or --static-backends); on Kubernetes list the engines' "
                    + "Services in the Helm chart's engines: values");
        }
        String backends = value(flags, "static-backends");
        String models = value(flags, "static-models");
        if (backends != null) staticBackends(backends, models, p);
        else if (models != null) throw refuse("--static-models needs --static-backends (or caravan.engines[i].models)");
        String port = value(flags, "port");
        if (port != null) p.put("server.port", positive(port, "port", "server.port"));
        String host = value(flags, "host");
        if (host != null) p.put("server.address", host);
        return p;
    }

    private static void routingLogic(String logic, Map<String, Object> p) {
        String l = logic.trim().toLowerCase(Locale.ROOT);
        switch (l) {
            case "workflow_aware", "workflow-aware" -> {
                p.put("caravan.workflow-support.enabled", "true");
                p.put("caravan.workflow-support.routing.strategy", "workflow_aware");
            }
            // The PR's router handles every request with the one logic: plain requests too.
            case "kvaware", "prefixaware" -> {
                p.put("caravan.workflow-support.routing.strategy", l);
                p.put("caravan.routing.plain-policy", "prefix-aware");
            }
            case "roundrobin" -> {
                p.put("caravan.workflow-support.routing.strategy", "round-robin");
                p.put("caravan.routing.plain-policy", "round-robin");
            }
            case "session" -> {
                p.put("caravan.workflow-support.routing.strategy", "session");
                p.put("caravan.routing.plain-policy", "session");
            }
            default -> throw refuse("--routing-logic " + logic + " is not supported; use workflow_aware, kvaware, "
                    + "prefixaware, roundrobin or session, or set caravan.routing.plain-policy and "
                    + "caravan.workflow-support.routing.strategy");
        }
    }

    private static void staticBackends(String backends, String models, Map<String, Object> p) {
        String[] urls = backends.split(",");
        String[] ms = models == null ? new String[0] : models.split(",");
        if (ms.length > 1 && ms.length != urls.length) {
            throw refuse("--static-models lists " + ms.length + " models for " + urls.length
                    + " --static-backends: give one model for all or one per backend (or caravan.engines[i].models)");
        }
        for (int i = 0; i < urls.length; i++) {
            String url = urls[i].trim();
            if (url.isEmpty()) throw refuse("--static-backends has an empty entry: " + backends);
            p.put("caravan.engines[" + i + "].url", url);
            if (ms.length > 0) p.put("caravan.engines[" + i + "].models[0]", ms[ms.length == 1 ? 0 : i].trim());
        }
    }

    /** The flag's value; a flag given without one is refused (Spring would read it as empty). */
    private static String value(java.util.function.Function<String, String> flags, String name) {
        String v = flags.apply(name);
        if (v == null) return null;
        if (v.isBlank()) throw refuse("--" + name + " needs a value, e.g. --" + name + "=...");
        return v.trim();
    }

    private static long positive(String v, String flag, String property) {
        try {
            long n = Long.parseLong(v);
            if (n > 0) return n;
        } catch (NumberFormatException e) {
            // refused below
        }
        throw refuse("--" + flag + " " + v + " must be a positive whole number (it sets " + property + ")");
    }

    private static double unit(String v) {
        try {
            double d = Double.parseDouble(v);
            if (d >= 0 && d <= 1) return d;
        } catch (NumberFormatException e) {
            // refused below
        }
        throw refuse("--batching-preference " + v + " must be between 0 and 1 (it sets caravan.workflow-support.batching-preference)");
    }

    private static IllegalStateException refuse(String message) {
        return new IllegalStateException("production-stack router flag: " + message);
    }
}
