package dev.cqrs.spring.boot;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Health and the {@code cqrs} actuator endpoint, when Spring Boot's actuator is on the class path. Thread-safe.
 */
@AutoConfiguration(after = CqrsAutoConfiguration.class)
public class CqrsActuatorAutoConfiguration {

  /** Creates the configuration; Spring calls it. */
  public CqrsActuatorAutoConfiguration() {
  }

  /** The health indicator, with Spring Boot's health module. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  static class Health {
    @Bean
    @ConditionalOnMissingBean(name = "cqrsHealthIndicator")
    CqrsHealthIndicator cqrsHealthIndicator(CqrsProcessors processors, CqrsProperties properties) {
      return new CqrsHealthIndicator(processors, properties.getHealth().getLagThreshold());
    }
  }

  /** The endpoint, with Spring Boot's actuator module. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
  static class EndpointConfiguration {
    @Bean
    @ConditionalOnMissingBean
    CqrsEndpoint cqrsEndpoint(CqrsProcessors processors) {
      return new CqrsEndpoint(processors);
    }
  }
}
