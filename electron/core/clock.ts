export * from '../../shared/clock.js';
