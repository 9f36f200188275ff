package dev.cqrs.core.internal;

import dev.cqrs.core.CqrsException;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventHandler;
import dev.cqrs.core.HandlesEvent;
import dev.cqrs.core.RecordedEvent;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Finds the {@link HandlesEvent} methods of an object once and turns each into an {@link EventHandler} backed by a
 * method handle. Stateless and thread-safe.
 */
public final class AnnotatedHandlers {

  private AnnotatedHandlers() {
  }

  /**
   * Returns the handlers of an object's annotated methods, keyed by event class.
   *
   * @param target the read-model object
   * @return one handler per event class
   * @throws IllegalArgumentException if a method has the wrong shape, two methods handle one class, or there are none
   */
  @SuppressWarnings("unchecked")
  public static Map<Class<? extends Event>, EventHandler<Event>> of(Object target) {
    Objects.requireNonNull(target, "target must not be null");
    Map<Class<? extends Event>, EventHandler<Event>> handlers = new LinkedHashMap<>();
    for (Class<?> type = target.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
      for (Method method : type.getDeclaredMethods()) {
        if (!method.isAnnotationPresent(HandlesEvent.class)) {
          continue;
        }
        Class<?>[] parameters = method.getParameterTypes();
        boolean shapeOk = (parameters.length == 1 || parameters.length == 2 && parameters[1] == RecordedEvent.class)
            && Event.class.isAssignableFrom(parameters[0]) && method.getReturnType() == void.class
            && !Modifier.isStatic(method.getModifiers());
        if (!shapeOk) {
          throw new IllegalArgumentException("@HandlesEvent method " + describe(method) + " must be an instance"
              + " method returning void that takes an event, optionally followed by a RecordedEvent");
        }
        Class<? extends Event> eventType = (Class<? extends Event>) parameters[0];
        if (handlers.containsKey(eventType)) {
          throw new IllegalArgumentException("two @HandlesEvent methods of " + target.getClass().getName()
              + " handle " + eventType.getName() + "; the second is " + describe(method));
        }
        handlers.put(eventType, handler(target, method, parameters.length == 2));
      }
    }
    if (handlers.isEmpty()) {
      throw new IllegalArgumentException(target.getClass().getName() + " has no @HandlesEvent methods");
    }
    return handlers;
  }

  private static EventHandler<Event> handler(Object target, Method method, boolean withRecorded) {
    MethodHandle handle;
    try {
      method.setAccessible(true);
      handle = MethodHandles.lookup().unreflect(method).bindTo(target);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalArgumentException("cannot call @HandlesEvent method " + describe(method) + ": " + e, e);
    }
    return (event, recorded) -> {
      try {
        if (withRecorded) {
          handle.invoke(event, recorded);
        } else {
          handle.invoke(event);
        }
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable checked) {
        throw new CqrsException("@HandlesEvent method " + describe(method) + " failed on " + recorded, checked);
      }
    };
  }

  private static String describe(Method method) {
    return method.getDeclaringClass().getName() + "." + method.getName();
  }
}
