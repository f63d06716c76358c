using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/MirrorGate.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
