export * from './environment';
export * from './versions';
export * from './notifications';
export * from './monitoring';
export * from './access';
export * from './checks';
export * from './delivery';
export * from './network';
