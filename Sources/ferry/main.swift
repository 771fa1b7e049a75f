import FerryCLI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

exit(await FerryCommand.main(arguments: Array(CommandLine.arguments.dropFirst())))
