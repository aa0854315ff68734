/**
 * Small helpers shared by Grapevine's packages. Internal: not part of the API, may change at any
 * time.
 */
package dev.grapevine.internal;
