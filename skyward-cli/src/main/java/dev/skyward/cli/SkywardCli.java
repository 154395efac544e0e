package dev.skyward.cli;

import dev.skyward.PoolConfigurationException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code skyward} command: browse the offer catalogs, list accelerator names, check credentials.
 *
 * <pre>
 * java -jar skyward-cli/target/skyward-cli.jar offers --accelerator H100:8 --spot
 * java -jar skyward-cli/target/skyward-cli.jar accelerators
 * java -jar skyward-cli/target/skyward-cli.jar check
 * java -jar skyward-cli/target/skyward-cli.jar status
 * java -jar skyward-cli/target/skyward-cli.jar down --expired
 * </pre>
 */
@Command(name = "skyward", mixinStandardHelpOptions = true, version = "skyward 0.1.0-SNAPSHOT",
        description = "Skyward for Java: offers, accelerators and credentials of the supported clouds; the pools "
                + "running on them.",
        subcommands = {OffersCommand.class, AcceleratorsCommand.class, CheckCommand.class, StatusCommand.class,
                DownCommand.class,
                CommandLine.HelpCommand.class})
public final class SkywardCli {

    SkywardCli() {
    }

    /**
     * Runs the command line.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(out, err, args));
    }

    /**
     * Runs the command line with its own streams (for tests).
     *
     * @param out standard output
     * @param err error output
     * @param args the arguments
     * @return the exit code: 0 ok, 1 nothing found, 2 bad usage
     */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new SkywardCli());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("skyward: " + e.getMessage());
            commandLine.getErr().flush();
            return e instanceof IllegalArgumentException || e instanceof PoolConfigurationException ? 2 : 1;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }
}
