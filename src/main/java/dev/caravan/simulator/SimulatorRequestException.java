package dev.caravan.simulator;

/** A request the engine refuses, carrying the HTTP status and the OpenAI error fields vLLM would send. */
final class SimulatorRequestException extends RuntimeException {

    private final int status;
    private final String type;
    private final String param;

    SimulatorRequestException(int status, String type, String param, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
    }

    int status() { return status; }
    String type() { return type; }
    String param() { return param; }
}
