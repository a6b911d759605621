package dev.netfence.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code netfence --version}, and the version SARIF reports: the project version Maven wrote into netfence-version.properties. */
public class NetfenceVersion implements IVersionProvider {

    /** {@code 0.1.0-SNAPSHOT}, or {@code unknown} when the resource is missing (a build without resources). */
    public static String version() {
        try (InputStream in = NetfenceVersion.class.getResourceAsStream("/netfence-version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"netfence " + version()};
    }
}
