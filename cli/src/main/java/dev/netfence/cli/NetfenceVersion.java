package dev.netfence.cli;

import org.eclipse.microprofile.config.ConfigProvider;
import picocli.CommandLine.IVersionProvider;

/** {@code netfence --version}: the project version Quarkus recorded at build time. */
public class NetfenceVersion implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"netfence " + ConfigProvider.getConfig()
                .getOptionalValue("quarkus.application.version", String.class).orElse("(unknown version)")};
    }
}
