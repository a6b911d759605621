package dev.netfence.enforcer.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.enforcer.cni.CniSettings;
import dev.netfence.enforcer.loop.EnforcerSettings;
import dev.netfence.enforcer.loop.NewPodSettings;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The app's {@code @WithDefault}s are the core's defaults: the lab and the demo construct
 * {@link EnforcerSettings#defaults(String)}, the DaemonSet binds {@link EnforcerConfig}; both must run
 * with the same values.
 */
class EnforcerConfigTest {

    @Test
    void theAppsDefaultsAreTheCoresDefaults() throws Exception {
        EnforcerSettings core = EnforcerSettings.defaults("n1");
        Map<String, Duration> expected = Map.of(
                "pollInterval", core.pollInterval(),
                "retryInitial", core.retryInitial(),
                "retryMax", core.retryMax(),
                "resyncInterval", core.resyncInterval(),
                "counterInterval", core.counterInterval(),
                "coalesceDelay", core.coalesceDelay());
        for (Map.Entry<String, Duration> e : expected.entrySet()) {
            String text = EnforcerConfig.class.getMethod(e.getKey()).getAnnotation(WithDefault.class).value();
            assertThat(parse(text)).as(e.getKey()).isEqualTo(e.getValue());
        }
        assertThat(EnforcerConfig.class.getMethod("source").getAnnotation(WithDefault.class).value())
                .as("the app's default source is the file; the DaemonSet sets kubernetes, which defaults(node) uses")
                .isEqualTo("file");
        assertThat(EnforcerConfig.class.getMethod("connectionRevocation").getAnnotation(WithDefault.class).value())
                .isEqualTo(core.connectionRevocation().name().toLowerCase());
    }

    @Test
    void theFlowLogsDefaultsAreTheCoresDefaults() throws Exception {
        Class<?> f = EnforcerConfig.FlowLog.class;
        dev.netfence.enforcer.flow.FlowLogSettings d = dev.netfence.enforcer.flow.FlowLogSettings.DEFAULTS;
        assertThat(f.getMethod("denied").getAnnotation(WithDefault.class).value()).isEqualTo(String.valueOf(d.denied()));
        assertThat(f.getMethod("allowed").getAnnotation(WithDefault.class).value()).isEqualTo(String.valueOf(d.allowed()));
        assertThat(f.getMethod("group").getAnnotation(WithDefault.class).value()).isEqualTo(String.valueOf(d.group()));
        assertThat(f.getMethod("rate").getAnnotation(WithDefault.class).value()).isEqualTo(String.valueOf(d.ratePerSecond()));
        assertThat(f.getMethod("burst").getAnnotation(WithDefault.class).value()).isEqualTo(String.valueOf(d.burst()));
        assertThat(f.getMethod("ringSize").getAnnotation(WithDefault.class).value()).isEqualTo(String.valueOf(d.ringSize()));
    }

    @Test
    void theCniEndpointsDefaultsAreTheCoresDefaults() throws Exception {
        Class<?> cni = EnforcerConfig.Cni.class;
        assertThat(cni.getMethod("socket").getAnnotation(WithDefault.class).value()).isEqualTo(CniSettings.DEFAULT_SOCKET);
        assertThat(cni.getMethod("stateDir").getAnnotation(WithDefault.class).value()).isEqualTo(CniSettings.DEFAULT_STATE_DIR);
        assertThat(cni.getMethod("enabled").getAnnotation(WithDefault.class).value()).isEqualTo("true");
        assertThat(parse(cni.getMethod("addTimeout").getAnnotation(WithDefault.class).value()))
                .isEqualTo(NewPodSettings.DEFAULT_ADD_TIMEOUT);
        assertThat(parse(cni.getMethod("waitForRules").getAnnotation(WithDefault.class).value()))
                .isEqualTo(CniSettings.DEFAULT_WAIT_FOR_RULES);
    }

    /** The duration syntax of SmallRye Config used in the defaults: 50ms, 30s, 2m. */
    private static Duration parse(String text) {
        if (text.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
        }
        long n = Long.parseLong(text.substring(0, text.length() - 1));
        return switch (text.charAt(text.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            default -> throw new IllegalArgumentException(text);
        };
    }
}
