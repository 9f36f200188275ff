/**
 * The user-facing API of cqrs (API): messages ({@link dev.cqrs.core.Command}, {@link dev.cqrs.core.Query},
 * {@link dev.cqrs.core.Event}) with their {@link dev.cqrs.core.Metadata}, the {@link dev.cqrs.core.CommandBus} and
 * {@link dev.cqrs.core.QueryBus}, the {@link dev.cqrs.core.EventStore} with its {@link dev.cqrs.core.ExpectedVersion}
 * and {@link dev.cqrs.core.Position}, the {@link dev.cqrs.core.EventTypes} registry, and the exception hierarchy
 * rooted at {@link dev.cqrs.core.CqrsException}.
 */
package dev.cqrs.core;
