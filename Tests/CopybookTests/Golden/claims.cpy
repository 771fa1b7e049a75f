      * Ferry sample copybook: every construct the layout table shows.
000100 01  CLAIM-RECORD.                                                CLAIMS01
000200     05  CLAIM-ID                PIC X(12).
000300     05  CLAIM-STATUS            PIC X.
000400         88  CLAIM-OPEN          VALUE 'O'.
000500         88  CLAIM-CLOSED        VALUES 'C' 'X'.
000600     05  MEMBER.
000700         10  MEMBER-ID           PIC 9(9)      COMP.
000800         10  MEMBER-NAME         PIC X(30).
000900         10  MEMBER-DOB          PIC 9(8).
001000         10  MEMBER-DOB-X REDEFINES MEMBER-DOB.
001100             15  DOB-YYYY        PIC 9(4).
001200             15  DOB-MM          PIC 99.
001300             15  DOB-DD          PIC 99.
001400     05  BILLED-AMT              PIC S9(7)V99  COMP-3.
001500     05  ALLOWED-AMT             PIC S9(7)V99
001510                                 SIGN LEADING SEPARATE.
001600     05  PRINT-AMT               PIC $$$,$$9.99CR
001610                                 BLANK WHEN ZERO.
001700     05  RATE                    COMP-2 SYNC.
001800     05  SCALED-QTY              PIC S9(5)PPP  COMP-3.
001900     05  FRACTION                PIC SVPP999.
002000     05  DIAG-CODES              PIC X(7)      OCCURS 4 TIMES
002100                                 INDEXED BY DIAG-IX.
002200     05  LINE-COUNT              PIC S9(4)     COMP.
002300     05  CLAIM-LINES             OCCURS 1 TO 50 TIMES
002400                                 DEPENDING ON LINE-COUNT
002500                                 ASCENDING KEY IS LINE-NO.
002600         10  LINE-NO             PIC 9(3).
002700         10  LINE-AMT            PIC S9(5)V99  COMP-3.
002800         10  FILLER              PIC X(2).
002900     05  TRAILER-NOTE            PIC X(20)     JUSTIFIED RIGHT.
003000 66  MEMBER-KEY RENAMES MEMBER-ID THRU MEMBER-NAME.
