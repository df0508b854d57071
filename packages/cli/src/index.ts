export { runCli, createCli, COMMANDS } from './cli.js';
export { DashboardState } from './ui/dashboardState.js';
