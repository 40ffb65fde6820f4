package dev.caravan;

import dev.caravan.simulator.SimulatorMain;
import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Starts the gateway; {@code simulate} as first argument starts one standalone simulated vLLM
 * engine instead (same jar, no Spring), e.g. {@code java -jar caravan.jar simulate --port=8001}.
 */
@SpringBootApplication
public class CaravanApplication {
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && "simulate".equals(args[0])) {
            SimulatorMain.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        // production-stack's router flags are written "--flag value"; Spring reads "--flag=value".
        SpringApplication.run(CaravanApplication.class, ProductionStackFlags.normalise(args));
    }
}
