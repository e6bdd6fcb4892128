/**
 * Configuration: keys with their allowed values and defaults, read from the builder, system
 * properties, environment variables and a properties file in that precedence, and validated at
 * once with every problem reported.
 */
package dev.backplane.config;
