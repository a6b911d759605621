package dev.netfence.cli;

/** Wrong input on the command line (an unknown pod, a malformed address): exit 2 with the message, never a stack trace. */
public class UserInputException extends RuntimeException {
    public UserInputException(String message) {
        super(message);
    }
}
