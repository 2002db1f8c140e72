#!/usr/bin/env node
// The built program (apps/miner/dist/main.js); this shim exists before the first build, so npm
// can link the `aitbc-miner` command at install time.
import '../dist/main.js';
