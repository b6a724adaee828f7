#!/usr/bin/env node
// Builds the renderer (Vite) into dist/renderer.
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const configFile = fileURLToPath(new URL('../renderer/vite.config.ts', import.meta.url));
await build({ configFile, logLevel: process.env.CI ? 'info' : 'warn' });
console.log('renderer built: dist/renderer');
