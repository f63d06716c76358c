// The executable only wires config.yaml to the engine; everything else lives in src/MirrorGate.
// The etcd store (config_provider: etcd, cluster mode) comes from its own assembly.
MirrorGate.Stores.IConfigStoreProvider[] providers = [new MirrorGate.Etcd.EtcdStoreProvider()];
if (args is ["export" or "import", ..]) return await MirrorGate.Server.StoreTransfer.RunAsync(args, providers);
return await MirrorGate.Hosting.MirrorGateHost.RunAsync(args, providers);
