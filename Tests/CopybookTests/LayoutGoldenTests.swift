import Copybook
import Foundation
import Testing

/// Golden layout tables (``LayoutTable``, what `ferry copybook layout` prints) for a sample copybook in
/// `Golden/` and for conformance copybooks. After an intended change regenerate them with
/// `FERRY_UPDATE_GOLDEN=1 swift test --filter LayoutGoldenTests` and review the diff.
@Suite struct LayoutGoldenTests {
    struct Case: Sendable, CustomTestStringConvertible {
        /// The copybook: a path under the repository's Tests/CopybookTests/Golden, or a conformance case file.
        var copybook: String
        var inConformance: Bool
        var golden: String
        var options: CopybookOptions = CopybookOptions()
        var testDescription: String { golden }
    }

    static let goldenDirectory = CopybookFixture.repositoryRoot.appendingPathComponent("Tests/CopybookTests/Golden")

    static let cases: [Case] = [
        Case(copybook: "claims.cpy", inConformance: false, golden: "claims.layout.txt"),
        Case(copybook: "claims.cpy", inConformance: false, golden: "claims.gnucobol-fujitsu.layout.txt",
             options: CopybookOptions(binarySizes: .gnuCOBOL, synchronization: .eightByteToFour)),
        Case(copybook: "cobrix-07-type-variety-all-usages/test6_copybook.cob", inConformance: true,
             golden: "cobrix-07.test6.layout.txt"),
        Case(copybook: "cobrix-08-fillers-and-redefines/test7_fillers.cob", inConformance: true,
             golden: "cobrix-08.test7.layout.txt"),
        Case(copybook: "cobrix-17-nested-odo-variable-size/test21_copybook.cob", inConformance: true,
             golden: "cobrix-17.test21.layout.txt"),
        Case(copybook: "jrecord-01-dtar020-cp037-comp3-fixed/DTAR020.cbl", inConformance: true,
             golden: "jrecord-01.DTAR020.layout.txt"),
        Case(copybook: "jrecord-07-binary-comp-sync-alignment/mvsCompSync.cbl", inConformance: true,
             golden: "jrecord-07.mvsCompSync.layout.txt"),
        Case(copybook: "jrecord-09-binary-comp-minimal-bytes-and-1-2-4-8/mfComp.cbl", inConformance: true,
             golden: "jrecord-09.mfComp.microfocus.layout.txt", options: CopybookOptions(binarySizes: .microFocus)),
        Case(copybook: "legstar-01-custdat-odo-short-last-field/CUSTDAT.cpy", inConformance: true,
             golden: "legstar-01.CUSTDAT.layout.txt"),
        Case(copybook: "aws-mdu-01-multilayout-fb-real-zos/COBKS05.cpy", inConformance: true,
             golden: "aws-mdu-01.COBKS05.layout.txt"),
        Case(copybook: "aws-mdu-02-vb-rdw-odo-comp3-real-zos/COBVBFM2.cpy", inConformance: true,
             golden: "aws-mdu-02.COBVBFM2.layout.txt"),
    ]

    @Test(arguments: cases)
    func matchesGolden(_ c: Case) throws {
        let source = c.inConformance
            ? CopybookFixture.conformanceRoot.appendingPathComponent(c.copybook)
            : Self.goldenDirectory.appendingPathComponent(c.copybook)
        if c.inConformance && !CopybookFixture.conformanceAvailable {
            print("LayoutGoldenTests \(c.golden): \(CopybookFixture.skipMessage)")
            return
        }
        let copybook = try Copybook(
            parsing: try CopybookFixture.text(source), sourceName: source.lastPathComponent, options: c.options)
        let actual = LayoutTable.render(copybook)
        let file = Self.goldenDirectory.appendingPathComponent(c.golden)
        if ProcessInfo.processInfo.environment["FERRY_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: file, atomically: true, encoding: .utf8)
        }
        let expected = try CopybookFixture.text(file)
        #expect(actual == expected, "differs from \(file.path); regenerate with FERRY_UPDATE_GOLDEN=1")
    }
}
