package dev.ums.config;

import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Owns scheduling and executors for the whole service. */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
public class AsyncConfig {}
