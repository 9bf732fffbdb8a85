export * from './environment';
export * from './versions';
export * from './notifications';
export * from './monitoring';
