package dev.netfence.enforcer.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code GET /flows}'s parameters and answers, as the enforcer's route and the demo's endpoint give them. */
class FlowQueryTest {
    private final FlowLog log = new FlowLog("node-1", FlowLogSettings.DEFAULTS).jsonLines(false);

    private FlowQuery.Answer ask(Map<String, String> params) {
        return FlowQuery.answer(log, params::get);
    }

    @Test
    void answersTheRingAsJson() {
        FlowQuery.Answer a = ask(Map.of());
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.contentType()).isEqualTo("application/json");
        assertThat(a.body()).startsWith("{\"node\":\"node-1\",\"next\":0,\"records\":[],\"lost\":{").endsWith("}\n");
        assertThat(ask(Map.of("since", "5", "limit", "10000", "verdict", "would-deny", "pod", "x/a")).status()).isEqualTo(200);
        assertThat(ask(Map.of("since", "")).status()).isEqualTo(200);
    }

    @Test
    void aBadParameterIsA400NamingItAndItsRange() {
        assertThat(ask(Map.of("since", "-1"))).isEqualTo(new FlowQuery.Answer(400, "text/plain",
                "parameter since=-1 is not a number from 0 to " + Long.MAX_VALUE + "\n"));
        assertThat(ask(Map.of("limit", "0")).body()).isEqualTo("parameter limit=0 is not a number from 1 to 10000\n");
        assertThat(ask(Map.of("limit", "lots")).status()).isEqualTo(400);
        FlowQuery.Answer verdict = ask(Map.of("verdict", "maybe"));
        assertThat(verdict.status()).isEqualTo(400);
        assertThat(verdict.body()).contains("unknown verdict \"maybe\"", "denied, allowed or would-deny");
    }

    @Test
    void noFlowLogIsA404SayingWhy() {
        FlowQuery.Answer a = FlowQuery.answer(null, p -> null);
        assertThat(a.status()).isEqualTo(404);
        assertThat(a.body()).contains("the flow log is off on this node", "netfence.enforcer.flow-log.denied=true");
    }
}
