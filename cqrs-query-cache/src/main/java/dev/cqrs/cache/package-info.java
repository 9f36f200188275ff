/**
 * Cached queries (API): {@link dev.cqrs.cache.QueryCache} puts a Caffeine cache in front of query handlers. Each
 * {@link dev.cqrs.cache.CachedQuery} declares the events that change its answers; the cache follows the store and
 * never serves an answer older than the position a caller asks for.
 */
package dev.cqrs.cache;
