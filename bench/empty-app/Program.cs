Console.WriteLine("empty");
