from qihub.cli import main

main()
