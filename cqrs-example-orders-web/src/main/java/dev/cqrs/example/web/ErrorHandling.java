package dev.cqrs.example.web;

import dev.cqrs.core.CommandRejectedException;
import dev.cqrs.core.ConcurrencyConflictException;
import dev.cqrs.core.ProcessorNotReadyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Failures as JSON problem details (RFC 9457): 400 for bad input, 404 for an unknown order, 409 for a rule that
 * refused the command or a conflict that outlasted the retries, 503 when a read model cannot reach the position a
 * client asked for. Thread-safe.
 */
@RestControllerAdvice
public class ErrorHandling {

  /** Creates the handler; Spring calls it. */
  public ErrorHandling() {
  }

  /** Something the client asked for does not exist. */
  static final class NotFound extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotFound(String message) {
      super(message);
    }
  }

  /**
   * Bad input.
   *
   * @param e the failure
   * @return 400
   */
  @ExceptionHandler({IllegalArgumentException.class, HttpMessageNotReadableException.class})
  public ProblemDetail badInput(Exception e) {
    String detail = e instanceof HttpMessageNotReadableException ? "the body is not the JSON this endpoint takes"
        : e.getMessage();
    return problem(HttpStatus.BAD_REQUEST, "bad input", detail);
  }

  /**
   * An unknown order.
   *
   * @param e the failure
   * @return 404
   */
  @ExceptionHandler(NotFound.class)
  public ProblemDetail notFound(NotFound e) {
    return problem(HttpStatus.NOT_FOUND, "not found", e.getMessage());
  }

  /**
   * A rule refused the command; a command on an order that does not exist is a 404.
   *
   * @param e the failure
   * @return 409, or 404
   */
  @ExceptionHandler(CommandRejectedException.class)
  public ProblemDetail rejected(CommandRejectedException e) {
    if (String.valueOf(e.getMessage()).endsWith("does not exist")) {
      return problem(HttpStatus.NOT_FOUND, "not found", e.getMessage());
    }
    return problem(HttpStatus.CONFLICT, "refused", e.getMessage());
  }

  /**
   * A conflict that outlasted the retries.
   *
   * @param e the failure
   * @return 409
   */
  @ExceptionHandler(ConcurrencyConflictException.class)
  public ProblemDetail conflict(ConcurrencyConflictException e) {
    return problem(HttpStatus.CONFLICT, "conflict", e.getMessage());
  }

  /**
   * A read model could not reach the client's position in time.
   *
   * @param e the failure
   * @return 503
   */
  @ExceptionHandler(ProcessorNotReadyException.class)
  public ProblemDetail notReady(ProcessorNotReadyException e) {
    return problem(HttpStatus.SERVICE_UNAVAILABLE, "not ready", e.getMessage());
  }

  private static ProblemDetail problem(HttpStatus status, String title, String detail) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setTitle(title);
    return problem;
  }
}
