package dev.netfence.cli.simulate;

/** The legend MatrixText prints under a matrix with audited policies, for tests outside the package. */
public final class MatrixTextAccess {
    private MatrixTextAccess() {
    }

    public static String legend() {
        return MatrixText.LEGEND;
    }
}
