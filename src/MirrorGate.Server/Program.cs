// The executable only wires config.yaml to the engine; everything else lives in src/MirrorGate.
// The etcd store (config_provider: etcd, cluster mode) comes from its own assembly.
return await MirrorGate.Hosting.MirrorGateHost.RunAsync(args, [new MirrorGate.Etcd.EtcdStoreProvider()]);
