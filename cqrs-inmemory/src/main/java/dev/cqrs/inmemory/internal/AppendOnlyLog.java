package dev.cqrs.inmemory.internal;

import java.util.Arrays;
import java.util.List;

/**
 * A growable array that one writer at a time appends to (callers hold a lock for that) while any number of readers
 * read without locking. Readers read the volatile size first and then the volatile array: the array they get holds at
 * least that many elements, because the writer stores an element (and a grown array) before it publishes the new
 * size. Elements never change once added.
 *
 * @param <T> the element type
 */
public final class AppendOnlyLog<T> {

  private volatile Object[] items = new Object[16];
  private volatile int size;

  /**
   * Appends elements and publishes them together, so that readers see all of them or none; the caller must hold the
   * lock that serializes writers.
   *
   * @param batch the elements
   */
  public void addAll(List<T> batch) {
    Object[] array = items;
    int n = size;
    int needed = n + batch.size();
    if (needed > array.length) {
      array = Arrays.copyOf(array, Math.max(needed, n * 2));
      copyInto(array, n, batch);
      items = array;
    } else {
      copyInto(array, n, batch);
    }
    size = needed;
  }

  private static <T> void copyInto(Object[] array, int from, List<T> batch) {
    for (int i = 0; i < batch.size(); i++) {
      array[from + i] = batch.get(i);
    }
  }

  /**
   * Returns the number of published elements.
   *
   * @return the size
   */
  public int size() {
    return size;
  }

  /**
   * Returns the element at an index below a size read before.
   *
   * @param index the index
   * @return the element
   */
  @SuppressWarnings("unchecked")
  public T get(int index) {
    return (T) items[index];
  }

  /**
   * Copies the elements in {@code [from, to)}, where {@code to} is at most a size read before.
   *
   * @param from the first index
   * @param to the end index, exclusive
   * @return an immutable list of the elements
   */
  @SuppressWarnings("unchecked")
  public List<T> copy(int from, int to) {
    if (from >= to) {
      return List.of();
    }
    Object[] array = items;
    return (List<T>) List.of(Arrays.copyOfRange(array, from, to));
  }
}
