// The executable only wires config.yaml to the engine; everything else lives in src/MirrorGate.
if (args is ["export" or "import", ..]) return await MirrorGate.Server.StoreTransfer.RunAsync(args, []);
return await MirrorGate.Hosting.MirrorGateHost.RunAsync(args);
