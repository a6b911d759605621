package dev.netfence.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfence.cli.simulate.ReachabilityMatrix;
import dev.netfence.policy.model.ClusterSnapshot;
import dev.netfence.policy.model.Protocol;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo's side-by-side matrix: a cell the kernel measured differently from the engine is marked and listed. */
class MatrixPairTest {

    private static final ClusterSnapshot SHOP = DemoManifests.load(Path.of("../demo")).opened();

    @Test
    void aMeasurementThatAgreesHasNoDifferences() {
        ReachabilityMatrix predicted = ReachabilityMatrix.compute(SHOP, Protocol.TCP, 5432);
        MatrixPair pair = new MatrixPair(measuredAs(predicted, -1, -1), predicted);

        assertThat(pair.matches()).isTrue();
        assertThat(pair.render()).isEqualTo("""
                    5432/TCP              measured    predicted
                                          1 2 3 4     1 2 3 4
                    1 kube-system/coredns . X X X     . X X X
                    2 shop/api            X . X .     X . X .
                    3 shop/frontend       X X . X     X X . X
                    4 shop-data/db        X X X .     X X X .
                """);
    }

    @Test
    void aCellTheKernelDisagreesWithIsMarkedAndNamed() {
        ReachabilityMatrix predicted = ReachabilityMatrix.compute(SHOP, Protocol.TCP, 5432);
        // shop/frontend (row 3) reached shop-data/db (column 4), which the engine denies
        MatrixPair pair = new MatrixPair(measuredAs(predicted, 2, 3), predicted);

        assertThat(pair.differences()).containsExactly("shop/frontend -> shop-data/db: reached, predicted denied");
        assertThat(pair.render().lines().toList().get(4)).isEqualTo("    3 shop/frontend       X X . !     X X . X");
    }

    @Test
    void theDemoProbesEveryDeclaredPortOfTheShop() {
        assertThat(DemoCommand.probes(SHOP)).map(DemoCommand.Probe::toString)
                .containsExactly("8080/TCP", "5432/TCP", "53/TCP", "53/UDP");
    }

    @Test
    void everyDemoObjectIsOneTheEngineReads() {
        DemoManifests demo = DemoManifests.load(Path.of("../demo"));
        for (var group : List.of(demo.cluster(), demo.defaultDenies(), demo.policies(), demo.refused())) {
            assertThat(group.notes()).isEmpty();
        }
        assertThat(DemoManifests.policyObjects(demo.refused())).hasSize(1);
    }

    /** The prediction as a lab measurement, with one cell flipped (-1: none). */
    private static dev.netfence.lab.ReachabilityMatrix measuredAs(ReachabilityMatrix predicted, int row, int column) {
        boolean[][] cells = new boolean[predicted.pods().size()][];
        for (int i = 0; i < cells.length; i++) {
            cells[i] = predicted.allowed()[i].clone();
        }
        if (row >= 0) {
            cells[row][column] = !cells[row][column];
        }
        return new dev.netfence.lab.ReachabilityMatrix(predicted.protocol(), predicted.port(), predicted.names(), cells);
    }
}
