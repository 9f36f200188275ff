/**
 * Faults for reliability tests (API of the test kit): a {@link dev.cqrs.test.faults.FaultyDataSource} whose commits
 * lose their acknowledgement, fail or run slowly, and whose statements fail as if the connection dropped, so that a
 * backend's tests, and an application's, can attack the failure paths that production combines.
 */
package dev.cqrs.test.faults;
