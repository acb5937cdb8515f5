// Types for the uPlot module the server hands out as /dashboard/assets/uPlot.esm.js (from node_modules).
export { default } from 'uplot';
