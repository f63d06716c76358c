Console.WriteLine("MirrorGate");
